import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('enterprises', '0008_recognition_region'),
        ('regions', '0003_region_registrable'),
    ]

    operations = [
        migrations.CreateModel(
            name='EnterpriseCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('region', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='regions.region', verbose_name='注册地')),
                ('section', models.CharField(blank=True, max_length=1, verbose_name='门类')),
                ('enterprises', models.PositiveIntegerField(verbose_name='企业数')),
                ('created_this_year', models.PositiveIntegerField(verbose_name='当年新建档')),
                ('created_last_year', models.PositiveIntegerField(verbose_name='上年新建档')),
            ],
            options={
                'verbose_name': '企业数汇总',
                'verbose_name_plural': '企业数汇总',
                'constraints': [models.UniqueConstraint(fields=('region', 'section'), name='enterprise_count_one_per_group')],
            },
        ),
        migrations.CreateModel(
            name='EnterpriseCountState',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('refreshed_at', models.DateTimeField(blank=True, null=True, verbose_name='汇总时间')),
                ('year', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='汇总年度')),
            ],
            options={
                'verbose_name': '企业数汇总状态',
                'verbose_name_plural': '企业数汇总状态',
            },
        ),
    ]
